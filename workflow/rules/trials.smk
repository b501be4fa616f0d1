# Stage 1: the validated, assembled trial table (for people; pooling reads data/raw/ directly so
# that a new trial reruns only the analyses it enters).


rule trials_table:
    input:
        trials=[str(f) for f in TRIAL_FILES],
    output:
        table=report(
            layout.SUMMARY["trials_tsv"],
            caption="../report/trials.rst",
            category="Data",
        ),
    log:
        "logs/trials_table.log",
    conda:
        "../envs/metapool.yaml"
    script:
        "../scripts/trials_table.py"
