{#-
    Data test on audience_members: fails for every member whose channel and reach_id are not a
    reachable row of int_tags__reach_ids (`reach_ids`), or whose customer opted out of that channel
    (or of all channels) in `opt_outs` (int_tags__opt_outs).
-#}
{% test audience_members_are_reachable(model, reach_ids, opt_outs) %}
    select
        members.audience_key,
        members.customer_id,
        members.channel,
        'not reachable on this channel' as problem
    from {{ model }} as members
    left join {{ reach_ids }} as reach_ids
        on
            members.customer_id = reach_ids.customer_id
            and members.channel = reach_ids.channel
            and members.reach_id = reach_ids.reach_id
            and reach_ids.is_reachable
    where reach_ids.customer_id is null
    union all
    select
        members.audience_key,
        members.customer_id,
        members.channel,
        'opted out' as problem
    from {{ model }} as members
    inner join {{ opt_outs }} as opt_outs
        on
            members.customer_id = opt_outs.customer_id
            and (members.channel = opt_outs.channel or opt_outs.channel = 'all')
{% endtest %}
