{{ config(unique_key='report_key') }}

with

daily_reports as (
    select * from {{ source('tencent_ads', 'daily_reports') }}
    {{ new_loads_only() }}
),

renamed as (
    select
        cast({{ shanghai_ts_from_local_text(adapter.quote('date')) }} as date) as report_date,
        {{ nullif_junk('account_id') }} as account_id,
        {{ nullif_junk('campaign_id') }} as campaign_id,
        {{ nullif_junk('adgroup_id') }} as adgroup_id,
        try_cast({{ trim_text('view_count') }} as bigint) as impressions,
        try_cast({{ trim_text('valid_click_count') }} as bigint) as clicks,
        try_cast({{ trim_text('conversions_count') }} as bigint) as conversions,
        {{ fen_to_yuan('cost') }} as spend,
        {{ lineage_columns() }}
    from daily_reports
),

deduplicated as (
    {{ latest_record('renamed', ['report_date', 'account_id', 'campaign_id', 'adgroup_id']) }}
),

with_key as (
    select
        {{ surrogate_key(['report_date', 'account_id', 'campaign_id', 'adgroup_id']) }} as report_key,
        *
    from deduplicated
)

select * from with_key
