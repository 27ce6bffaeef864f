#!/usr/bin/env python3
"""Generator: PEFT's default LoRA target modules per model_type -> data/peft/lora_target_modules.json.

PEFT keeps the defaults as data (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING in src/peft/utils/constants.py);
this reads that file from a fetched huggingface/peft git directory without importing it (ast.literal_eval on the
dict literal) and writes it, in PEFT's order, with the commit it came from. A list value means "module names matched
as PEFT matches them (exact name or a '.NAME' suffix)"; a string value is a regular expression PEFT full-matches.

usage: tools/gen_peft_targets.py PEFT_GIT_DIR [REV] > data/peft/lora_target_modules.json
"""
import ast
import json
import subprocess
import sys

NAME = "TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING"


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    git_dir, rev = sys.argv[1], (sys.argv[2] if len(sys.argv) == 3 else "HEAD")
    git = ["git", "--git-dir", git_dir]
    commit = subprocess.check_output(git + ["rev-parse", rev], text=True).strip()
    source = subprocess.check_output(git + ["show", f"{commit}:src/peft/utils/constants.py"], text=True)
    mapping = None
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == NAME for t in node.targets):
            mapping = ast.literal_eval(node.value)
    if not isinstance(mapping, dict) or not mapping:
        print(f"{NAME} not found as a dict literal", file=sys.stderr)
        return 1
    out = {
        "source": f"huggingface/peft src/peft/utils/constants.py {NAME} at {commit}",
        "generator": "tools/gen_peft_targets.py",
        "targets": mapping,
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
