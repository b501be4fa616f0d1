# Stage 3b: each network meta-analysis of config `networks:` (metapool.network), one job per
# network: results/networks/<name>/network.json, league.tsv and its figures. Its inputs are the
# trial tables with rows in the network, so a new trial reruns the networks it enters, and only those.

for network_name in NETWORK_SETTINGS:

    rule:
        name:
            f"network_{network_name.replace('-', '_')}"
        input:
            trials=network_trial_files(network_name),
        output:
            **network_report_outputs(network_name),
        log:
            f"logs/networks/{network_name}.log",
        conda:
            "../envs/metapool.yaml"
        params:
            definition=NETWORK_SETTINGS[network_name],
        script:
            "../scripts/network.py"
