#!/usr/bin/env python3
"""How memfit answers the model types the default-config sweep does not hold (issue 11's withheld types).

For every model type of data/transformers_configs.json that is not a folder of the shared sweep
(../shared/fixtures/sweep/transformers_defaults: both the buildable cases and the ones the real tool could not
build), runs `memfit estimate-memory` on {"model_type": T} (memfit fills the config class's defaults, as AutoConfig
does) and sorts the types into built (a builder, exact by construction where its test says so), generic (the
approximate generic decoder) and refused (an error: unsupported, or transformers' own error on that config).

    python3 tools/withheld_types.py [SHARED_SWEEP_DIR] [MEMFIT_BINARY]
"""
import collections
import json
import os
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sweep = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, '..', 'shared', 'fixtures', 'sweep',
                                                            'transformers_defaults')
binary = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, 'build', 'memfit')
types = sorted(json.load(open(os.path.join(root, 'data', 'transformers_configs.json')))['model_types'])
have = set(os.listdir(sweep))
withheld = [t for t in types if t not in have]
outcome = collections.defaultdict(list)
with tempfile.TemporaryDirectory() as tmp:
    for t in withheld:
        path = os.path.join(tmp, t.replace('/', '_'))
        os.makedirs(path)
        with open(os.path.join(path, 'config.json'), 'w') as f:
            json.dump({'model_type': t}, f)
        r = subprocess.run([binary, 'estimate-memory', os.path.join(path, 'config.json'), '--format', 'json'],
                           capture_output=True, text=True)
        kind = 'refused'
        if r.returncode == 0:
            kind = 'generic' if json.loads(r.stdout).get('approximate') else 'built'
        outcome[kind].append(t)
print(f'{len(types)} types, {len(withheld)} not in the sweep')
for kind in ('built', 'generic', 'refused'):
    print(f'{kind} ({len(outcome[kind])}): {" ".join(outcome[kind])}')
