# Stage 2: each analysis, in one job per analysis (or per batch of analyses at scale, common.smk):
# pool it (pooled.json/tsv), run its living-review analyses (living.json/tsv), appraise it
# (sof.md), and draw its forest plot (SVG, PNG, PDF), its living-review figures and its estimate
# at each published version (so `metapool publish` reruns it). One job, not a pool and a plot
# job: each job start costs an interpreter and the imports, more than pooling one analysis.

for batch in BATCHES:

    rule:
        name:
            batch_rule_name("analyse", batch)
        input:
            trials=batch_trial_files(batch),
            rob=batch_rob_files(batch),
            versions=published_versions(),
        output:
            digest=layout.digest(batch),
            tables=batch_pool_outputs(batch),
            figures=batch_figure_outputs(batch),
        log:
            f"logs/analyse/{batch}.log",
        conda:
            "../envs/metapool.yaml"
        params:
            analyses=BATCHES[batch],
            definitions=batch_definitions(batch),
        script:
            "../scripts/analyse.py"
