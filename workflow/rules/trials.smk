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
    # First: while a job waits, Snakemake re-stats its inputs (all trial tables here) on every
    # scheduling round, about once a second.
    priority: 1
    conda:
        "../envs/metapool.yaml"
    script:
        "../scripts/trials_table.py"
