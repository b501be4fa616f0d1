# Living meta-analysis of vasoactive and adjunct therapies in septic shock.
# Trial tables in data/raw/ -> pooled risk ratios, living-review analyses and forest plots.
# Read the stages below in order; the rules live in workflow/rules/.

from snakemake.utils import min_version

min_version("9.2")


include: "workflow/rules/snakemake_speedups.smk"
include: "workflow/rules/config_check.smk"


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/trials.smk"
include: "workflow/rules/analyses.smk"
include: "workflow/rules/networks.smk"
include: "workflow/rules/summary.smk"
include: "workflow/rules/prisma.smk"
include: "workflow/rules/changes.smk"
include: "workflow/rules/validation.smk"


rule all:
    default_target: True
    input:
        all_outputs(),
