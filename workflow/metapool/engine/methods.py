"""The names of the model's methods as people read them (RevMan / R meta footers): one home for
the engine's own labels (engine.conclusion) and the figures' footers (plotting.wording)."""

from __future__ import annotations

from metapool.engine import tau2

# "REML" reads better as the acronym in a footer; the other names are spelled out (metapool.tau2)
TAU2_METHODS = {**tau2.NAMES, "REML": "REML"}
CI_METHODS = {"hksj": "Hartung-Knapp-Sidik-Jonkman",
              "hksj_adhoc": "Hartung-Knapp-Sidik-Jonkman, ad hoc correction (Knapp & Hartung 2003)",
              "z": "Wald z"}
