# Stage 3: draw each analysis' forest plot (SVG, PNG, PDF), its living-review figures and its
# estimate at each published version (so `metapool publish` redraws every versions figure).

for batch in BATCHES:

    rule:
        name:
            batch_rule_name("plot", batch)
        input:
            results=batch_pool_outputs(batch),
            versions=published_versions(),
        output:
            batch_figure_outputs(batch),
        log:
            f"logs/plot/{batch}.log",
        conda:
            "../envs/metapool.yaml"
        params:
            analyses=batch_settings(batch),
        script:
            "../scripts/plot.py"
