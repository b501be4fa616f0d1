# Living meta-analysis of vasoactive and adjunct therapies in septic shock.
# Trial tables in data/raw/ -> pooled risk ratios, living-review analyses and forest plots.
# Read the stages below in order; the rules live in workflow/rules/.

from snakemake.utils import min_version

min_version("9.2")


# Snakemake reads the config through yte, which parses with PyYAML's pure-Python FullLoader
# (2 s for 1,000 analyses); libyaml's CFullLoader builds the same objects about 9x faster.
import yaml

yaml.FullLoader = getattr(yaml, "CFullLoader", yaml.FullLoader)


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/trials.smk"
include: "workflow/rules/analyses.smk"
include: "workflow/rules/summary.smk"
include: "workflow/rules/prisma.smk"
include: "workflow/rules/changes.smk"


rule all:
    default_target: True
    input:
        all_outputs(),
