{#-
    Every identifier seen in a staged record, one row per (source, combination of identifiers).
    Identifiers seen together in one record of a source share its record_key; link rules turn
    such pairs into edges (int_identity__edges). Which records are observed: the identity_models
    of each channel in the channel registry (var siyu_channels); which columns are identifiers:
    each model's own declaration (config.meta.identity in its YAML; macro identity_observations).
    An unsubscribed follower carries no subscribe time: when it was seen stays unknown (null),
    never the load time, so as_of_at() and first-seen dates depend on the data, not the run.
-#}
{{ identity_observations() }}
