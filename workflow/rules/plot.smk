# Stage 3: draw each analysis' forest plot (SVG, PNG, PDF) and its living-review figures.

for batch in BATCHES:

    rule:
        name:
            batch_rule_name("plot", batch)
        input:
            results=batch_pool_outputs(batch),
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
