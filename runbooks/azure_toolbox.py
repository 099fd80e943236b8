"""Prints the version of each library of the runbook toolbox (workers/requirements.txt).

A runbook can import them as they are: the worker image installs them in a venv first on PATH. Without
them (a laptop's own python3), it says which are missing and exits 1.
"""
import importlib
import sys
from importlib import metadata

# distribution name -> the module a runbook imports
TOOLBOX = {
    "azure-identity": "azure.identity",
    "azure-mgmt-resource": "azure.mgmt.resource",
    "azure-mgmt-compute": "azure.mgmt.compute",
    "azure-mgmt-network": "azure.mgmt.network",
    "azure-mgmt-storage": "azure.mgmt.storage",
    "azure-mgmt-containerservice": "azure.mgmt.containerservice",
    "kubernetes": "kubernetes",
    "requests": "requests",
}

missing = []
for distribution, module in TOOLBOX.items():
    try:
        importlib.import_module(module)
        print(f"{distribution} {metadata.version(distribution)}")
    except ImportError:
        missing.append(distribution)

if missing:
    print(f"missing from this python ({sys.executable}): {', '.join(missing)}", file=sys.stderr)
    sys.exit(1)
