{{ config(unique_key='report_key') }}

with

daily_reports as (
    select * from {{ source('oceanengine', 'daily_reports') }}
    {{ new_loads_only() }}
),

renamed as (
    select
        cast({{ shanghai_ts_from_local_text('stat_datetime') }} as date) as report_date,
        {{ nullif_junk('advertiser_id') }} as advertiser_id,
        {{ nullif_junk('campaign_id') }} as campaign_id,
        {{ trim_text('campaign_name') }} as campaign_name,
        try_cast({{ trim_text(adapter.quote('show')) }} as bigint) as impressions,
        try_cast({{ trim_text('click') }} as bigint) as clicks,
        try_cast({{ trim_text(adapter.quote('convert')) }} as bigint) as conversions,
        {{ text_to_yuan('cost') }} as spend,
        {{ lineage_columns() }}
    from daily_reports
),

deduplicated as (
    {{ latest_record('renamed', ['report_date', 'advertiser_id', 'campaign_id']) }}
),

with_key as (
    select
        {{ surrogate_key(['report_date', 'advertiser_id', 'campaign_id']) }} as report_key,
        *
    from deduplicated
)

select * from with_key
