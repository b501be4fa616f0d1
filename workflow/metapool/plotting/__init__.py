"""Every figure: forest plots (forest_plot.draw_forest), the living-review, risk-of-bias, versions and
PRISMA figures, and the summary forest plot. Modules are imported where used, so that importing
plotting.options (the settings object does) loads no drawing code."""
