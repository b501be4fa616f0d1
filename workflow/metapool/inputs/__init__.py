"""Reading and validating input tables: the trial tables of data/raw/ and the study tables of the
command line, every problem named by file, row, column and rule."""
