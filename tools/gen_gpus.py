#!/usr/bin/env python3
"""Generates data/gpus.json, memfit's GPU table, from two sources and says which row came from where.

  1. huggingface.js packages/tasks/src/hardware{,-nvidia,-amd}.ts (MIT): GPU names, memory options, approximate
     fp16 TFLOPS, release years, aliases (read, never copied into the repository);
  2. tools/gpus/*.csv, typed from vendor datasheets, one source per row: canonical names, families, bandwidth,
     dense bf16 tensor TFLOPS, ECC, unified memory, measured usable memory (specs.csv, apple.csv, measured.csv),
     per-family bf16/fp8 support (families.csv), and huggingface.js memory options that are no product
     (hf_skip.csv).

usage: tools/gen_gpus.py HFJS [--rev REV] [--out data/gpus.json]
  HFJS: a huggingface.js checkout, or a bare git directory (then read at REV, default HEAD).
Prints one line per decision (merged, supplement only, huggingface.js only, skipped) and fails on a conflict.
"""
import argparse, csv, json, math, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SUP = os.path.join(HERE, "gpus")
GIB, MIB = 1 << 30, 1 << 20
TS_FILES = ["packages/tasks/src/hardware.ts", "packages/tasks/src/hardware-nvidia.ts",
            "packages/tasks/src/hardware-amd.ts"]


def die(msg):
    sys.exit(f"gen_gpus: error: {msg}")


# ------------------------------------------------------------------------------------------------------------------
# huggingface.js: TypeScript object literals turned into JSON


def read_hfjs(path, rev):
    if os.path.exists(os.path.join(path, TS_FILES[0])):
        texts = [open(os.path.join(path, f), encoding="utf-8").read() for f in TS_FILES]
        return texts, "checkout"
    texts = [subprocess.run(["git", "--git-dir", path, "show", f"{rev}:{f}"], check=True, capture_output=True,
                            text=True).stdout for f in TS_FILES]
    commit = subprocess.run(["git", "--git-dir", path, "rev-parse", rev], check=True, capture_output=True,
                            text=True).stdout.strip()
    return texts, commit


def object_after(text, marker):
    """The balanced {...} that follows `marker`."""
    i = text.index(marker)
    i = text.index("{", i)
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[i:j + 1]
    die(f"unbalanced object after {marker!r}")


def ts_to_json(obj, consts):
    s = re.sub(r"/\*.*?\*/", "", obj, flags=re.S)
    s = re.sub(r"(?<!:)//.*$", "", s, flags=re.M)  # line comments, not URLs
    for name, value in consts.items():
        s = re.sub(rf"\b{name}\b", json.dumps(value), s)
    s = re.sub(r"(?<=\d)_(?=\d)", "", s)  # 1_200 -> 1200
    s = re.sub(r"NvidiaComputeCapabilities\.\w+", "null", s)
    s = re.sub(r"([{,]\s*)([A-Za-z_][\w-]*)\s*:", r'\1"\2":', s)  # bare keys
    s = re.sub(r",(\s*[}\]])", r"\1", s)  # trailing commas
    return json.loads(s)


def hf_gpus(texts):
    main, nv, amd = texts
    consts = {}
    m = re.search(r"const AMD_GPU_INTEGRATED_SHARED_MEMORY_OPTIONS = (\[[^\]]*\])", amd)
    if m:
        consts["AMD_GPU_INTEGRATED_SHARED_MEMORY_OPTIONS"] = {"shared": json.loads(m.group(1))}
    out = {"NVIDIA": ts_to_json(object_after(nv, "NVIDIA_SKUS:"), consts),
           "AMD": ts_to_json(object_after(amd, "AMD_GPU_SKUS:"), consts)}
    skus = ts_to_json(object_after(main, "export const SKUS ="), {"NVIDIA_SKUS": None, "AMD_GPU_SKUS": None})
    out["Intel"] = skus["GPU"]["INTEL"]
    out["Apple"] = skus["Apple Silicon"]["-"]
    return out


# ------------------------------------------------------------------------------------------------------------------
# supplement


def read_csv(name):
    with open(os.path.join(SUP, name), encoding="utf-8") as f:
        lines = [l for l in f if l.strip() and not l.startswith("#")]
    return list(csv.DictReader(lines))


def yes(v, where):
    if v not in ("yes", "no"):
        die(f"{where}: expected yes or no, got {v!r}")
    return v == "yes"


# The C++ side (src/hardware/gpus.cpp, normalize) uses the same rule; names must stay distinct under it.
DROP = {"nvidia", "geforce", "tesla", "amd", "instinct", "apple", "intel"}


def normalize(s):
    toks = [t for t in re.split(r"[^a-z0-9]+", s.lower()) if t and t not in DROP]
    return "".join(re.sub(r"(\d)(gib|gb|g)$", r"\1", t) for t in toks)


def parse_usable(v, where):
    """'79.18' (GiB as printed with two decimals; kept at MiB precision), '24080MiB' or '19069665280B' (exact)."""
    m = re.fullmatch(r"(\d+)(MiB|B)", v)
    if m:
        return int(m.group(1)) * (MIB if m.group(2) == "MiB" else 1)
    if not re.fullmatch(r"\d+(\.\d+)?", v):
        die(f"{where}: bad usable value {v!r}")
    return round(float(v) * 1024) * MIB


def estimate_usable(row):
    """Documented estimates where no measurement is recorded (README, GPUs)."""
    mem = row["memory_bytes"]
    if row["vendor"] == "Apple":
        frac = 2 / 3 if mem < 36 * GIB else 3 / 4
        return math.floor(mem * frac / MIB) * MIB, f"estimate: {'2/3' if frac < 0.7 else '3/4'} of unified memory " \
            "(macOS default GPU working set; raise with sysctl iogpu.wired_limit_mb)"
    if row["unified"]:
        return math.floor(mem * 0.75 / MIB) * MIB, "estimate: 3/4 of unified memory"
    phys = mem * 15 // 16 if row["ecc_gddr"] else mem
    est = math.floor((phys * 0.99 - 0.1 * GIB) / MIB) * MIB
    return est, "estimate: 0.99 x " + ("15/16 (GDDR ECC) x " if row["ecc_gddr"] else "") + "memory - 0.1 GiB " \
        "(fit to the measured rows)"


NV_FAMILY = {5: "Maxwell", 6: "Pascal", 7: "Volta", 8: "Ampere", 9: "Hopper", 10: "Blackwell", 12: "Blackwell"}


def nv_family(cc):
    if cc is None:
        return ""
    if abs(cc - 7.5) < 1e-6:
        return "Turing"
    if abs(cc - 8.9) < 1e-6:
        return "Ada"
    return NV_FAMILY.get(int(cc), "")


def hf_only_segment(name):
    if "Jetson" in name:
        return "embedded"
    if re.search(r"Mobile|Laptop|Max-Q|Embedded", name):
        return "laptop"
    if re.match(r"RTX (A\d|PRO|\d000|\d\d00 )|Quadro", name):
        return "workstation"
    if re.match(r"[A-Z]\d", name):
        return "datacenter"
    return "consumer"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("hfjs")
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "data", "gpus.json"))
    a = ap.parse_args()
    texts, commit = read_hfjs(a.hfjs, a.rev)
    hf = hf_gpus(texts)
    families = {r["family"]: r for r in read_csv("families.csv")}
    skips = {}
    for r in read_csv("hf_skip.csv"):
        skips[(r["hf"], r["memory_gb"])] = r["reason"]
    measured = {r["name"]: r for r in read_csv("measured.csv")}
    used_hf = set()  # (vendor, hf name, memory)
    rows, log = [], []

    def hf_entry(vendor, key, mem, where):
        if not key:
            return None
        e = hf[vendor].get(key)
        if e is None:
            die(f"{where}: huggingface.js has no {vendor} entry {key!r}")
        if mem not in (e.get("memory") or []):
            log.append(f"note     {where}: huggingface.js lists {key!r} with {e.get('memory')} GB, not {mem}")
        used_hf.add((vendor, key, mem))
        return e

    def finish(row, e, year, where):
        fam = families.get(row["family"])
        if fam is None:
            die(f"{where}: family {row['family']!r} is not in families.csv")
        row["bf16"], row["fp8"] = yes(fam["bf16"], "families.csv"), yes(fam["fp8"], "families.csv")
        row["hf_tflops"] = float(e["tflops"]) if e else 0.0
        hf_year = int(e["releaseYear"]) if e else 0
        if year and hf_year and year != hf_year:
            log.append(f"note     {where}: year {year} (datasheet) where huggingface.js says {hf_year}")
        row["year"] = year or hf_year
        if not row["year"]:
            die(f"{where}: no year")
        for al in (e or {}).get("aliases", []):  # huggingface.js aliases name the chip: add the size if it has several
            al = al if len(e.get("memory") or []) <= 1 else f"{al} {row['memory_bytes'] // GIB}GB"
            if al not in row["aliases"]:
                row["aliases"].append(al)
        m = measured.get(row["name"])
        if m:
            row["usable_src"] = m["usable_gib"], m["source"]
        if row.get("usable_src"):
            row["usable_bytes"] = parse_usable(row["usable_src"][0], where)
            # a value given as "estimate: ..." is carried over from a measured sibling, not measured itself
            row["usable_measured"] = not row["usable_src"][1].startswith("estimate:")
            row["usable_source"] = ("" if not row["usable_measured"] else "measured: ") + row["usable_src"][1]
        else:
            row["usable_bytes"], row["usable_source"] = estimate_usable(row)
            row["usable_measured"] = False
        del row["usable_src"]
        if row["usable_bytes"] > row["memory_bytes"]:
            die(f"{where}: usable memory above nominal")
        rows.append(row)

    for r in read_csv("specs.csv"):
        where = f"specs.csv {r['name']}"
        mem = int(r["memory_gb"])
        e = hf_entry(r["vendor"], r["hf"], mem, where)
        row = {"vendor": r["vendor"], "name": r["name"], "aliases": [x for x in r["aliases"].split("|") if x],
               "family": r["family"], "segment": r["segment"], "memory_bytes": mem * GIB,
               "bandwidth_gbs": float(r["bandwidth_gbs"]), "bf16_tflops": float(r["bf16_tflops"]),
               "ecc_gddr": yes(r["ecc_gddr"], where), "unified": yes(r["unified"], where),
               "source": r["source"] + (" + huggingface.js (TFLOPS, year)" if e else ""),
               "usable_src": (r["usable_gib"], r["usable_source"]) if r["usable_gib"] else None}
        if r["usable_gib"] and not r["usable_source"]:
            die(f"{where}: usable memory without a source")
        log.append(f"{'merged  ' if e else 'supp.   '} {r['name']}" + (f" <- huggingface.js {r['hf']!r}" if e else ""))
        finish(row, e, int(r["year"]) if r["year"] else 0, where)

    for r in read_csv("apple.csv"):
        for m in r["memory_gb"].split("|"):
            mem = int(m)
            name = f"{r['chip']}-{mem}GB"
            where = f"apple.csv {name}"
            e = hf_entry("Apple", r["hf"], mem, where)
            chip = r["chip"].replace("-", " ")
            row = {"vendor": "Apple", "name": name, "aliases": [f"Apple {chip} {mem}GB"], "family": r["family"],
                   "segment": "apple", "memory_bytes": mem * GIB, "bandwidth_gbs": float(r["bandwidth_gbs"]),
                   "bf16_tflops": 0.0, "ecc_gddr": False, "unified": True,
                   "source": r["source"] + (" + huggingface.js (TFLOPS, year)" if e else ""), "usable_src": None}
            log.append(f"{'merged  ' if e else 'supp.   '} {name}" + (f" <- huggingface.js {r['hf']!r}" if e else ""))
            finish(row, e, int(r["year"]) if r["year"] else 0, where)

    # huggingface.js rows no supplement row claimed: skipped with a reason, or kept with what huggingface.js knows.
    for vendor, table in hf.items():
        for key, e in table.items():
            mems = e.get("memory")
            if isinstance(mems, dict) or not mems:
                if (key, "*") not in skips:
                    die(f"huggingface.js {vendor} {key!r} has no fixed memory and no hf_skip.csv line")
                log.append(f"skipped  huggingface.js {key!r}: {skips[(key, '*')]}")
                continue
            left = []
            for mem in mems:
                if (vendor, key, mem) in used_hf:
                    continue
                reason = skips.get((key, str(mem))) or skips.get((key, "*"))
                if reason:
                    log.append(f"skipped  huggingface.js {key!r} {mem} GB: {reason}")
                    continue
                left.append(mem)
            for mem in left:
                if vendor != "NVIDIA":
                    die(f"huggingface.js {vendor} {key!r} {mem} GB is in no supplement row and not skipped")
                name = key.replace(" ", "-") + (f"-{mem}GB" if len(mems) > 1 else "")
                where = f"huggingface.js {key!r}"
                seg = hf_only_segment(key)
                row = {"vendor": vendor, "name": name, "aliases": [key] if len(mems) == 1 else [],
                       "family": nv_family(e.get("computeCapability")), "segment": seg, "memory_bytes": mem * GIB,
                       "bandwidth_gbs": 0.0, "bf16_tflops": 0.0, "ecc_gddr": False, "unified": seg == "embedded",
                       "source": "huggingface.js hardware-nvidia.ts only (memory, TFLOPS, year; no bandwidth)",
                       "usable_src": None}
                log.append(f"hf only  {name} <- huggingface.js {key!r} (no bandwidth)")
                finish(row, e, 0, where)

    for name in measured:
        if not any(r["name"] == name for r in rows):
            die(f"measured.csv names {name!r}, which is no row")
    # Names without a size also answer to NAME-<memory>GB ("RTX-4090-24GB").
    taken = {normalize(s) for r in rows for s in [r["name"]] + r["aliases"]}
    for r in rows:
        if not re.search(r"\d+GB$", r["name"]):
            sized = f"{r['name']}-{r['memory_bytes'] // GIB}GB"
            if normalize(sized) not in taken:
                r["aliases"].append(sized)
                taken.add(normalize(sized))
    seen = {}
    for r in rows:
        r["aliases"] = [x for x in r["aliases"] if normalize(x) != normalize(r["name"])]
        for spelling in [r["name"]] + r["aliases"]:
            n = normalize(spelling)
            if n in seen and seen[n] != r["name"]:
                die(f"{spelling!r} ({r['name']}) and a spelling of {seen[n]} both normalise to {n!r}")
            seen[n] = r["name"]
        del r["ecc_gddr"]
    order = {"NVIDIA": 0, "AMD": 1, "Intel": 2, "Apple": 3}
    segs = ["datacenter", "workstation", "consumer", "laptop", "embedded", "apple"]
    rows.sort(key=lambda r: (order[r["vendor"]], segs.index(r["segment"]), r["year"],
                             re.sub(r"-\d+GB$", "", r["name"]), r["memory_bytes"]))
    keys = ["vendor", "name", "aliases", "family", "segment", "memory_bytes", "usable_bytes", "usable_measured",
            "usable_source", "bandwidth_gbs", "bf16_tflops", "hf_tflops", "bf16", "fp8", "unified", "year", "source"]
    doc = {"generator": "tools/gen_gpus.py",
           "upstream": {"repository": "huggingface/huggingface.js", "commit": commit, "files": TS_FILES},
           "gpus": [{k: r[k] for k in keys} for r in rows]}
    with open(a.out, "w", encoding="utf-8") as f:
        f.write('{\n"generator": ' + json.dumps(doc["generator"]) + ',\n"upstream": ' + json.dumps(doc["upstream"]) +
                ',\n"gpus": [\n' + ",\n".join(json.dumps(r, ensure_ascii=True) for r in doc["gpus"]) + "\n]\n}\n")
    for line in log:
        print(line)
    kinds = {}
    for line in log:
        kinds[line.split()[0]] = kinds.get(line.split()[0], 0) + 1
    nmeas = sum(r["usable_measured"] for r in rows)
    print(f"gen_gpus: {len(rows)} rows ({kinds.get('merged', 0)} merged with huggingface.js, "
          f"{kinds.get('supp.', 0)} supplement only, {kinds.get('hf', 0)} huggingface.js only; "
          f"{kinds.get('skipped', 0)} huggingface.js entries skipped); usable memory measured for {nmeas}, "
          f"estimated for {len(rows) - nmeas} -> {os.path.relpath(a.out)}")


if __name__ == "__main__":
    main()
