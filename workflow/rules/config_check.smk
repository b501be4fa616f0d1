# Before Snakemake reads the config: read each config file strictly (metapool.inputs.yamlread), so
# that a YAML syntax error names its file and line, and a key given twice (a pasted analysis that
# would silently replace the first) is an error, not the last one winning.

import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "scripts"))
import common  # noqa: F401  (the checkout's metapool, as in every job script)

from snakemake.exceptions import WorkflowError

from metapool.errors import InputError
from metapool.inputs.yamlread import load_yaml


def check_config_files(paths):
    """Each existing config file read strictly; WorkflowError listing the problems."""
    problems = []
    for path in paths:
        if Path(path).exists():
            try:
                load_yaml(path)
            except InputError as err:
                problems.extend(err.problems)
    if problems:
        raise WorkflowError(f"Invalid input, nothing was run:\n{InputError(problems)}")


check_config_files(
    ["config/config.yaml", *map(str, workflow.overwrite_configfiles or [])]
)
