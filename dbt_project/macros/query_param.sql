{#-
    Returns the URL-decoded value of one parameter of a URL query string ('a=1&utm_campaign=x' or a
    whole URL), or null when absent or empty. A query string that arrived encoded as a whole, or
    nested in another parameter ('scene=utm_campaign%3Dx%26utm_source%3Dy'), is decoded first.
    Malformed percent-encoding yields null rather than an error.
-#}
{% macro query_param(column, name) -%}
    {{ return(adapter.dispatch('query_param', 'siyu')(column, name)) }}
{%- endmacro %}

{% macro default__query_param(column, name) -%}
    {%- set plain_pattern = "(?:^|[?&])\\Q" ~ name ~ "\\E=([^&#]*)" -%}
    {%- set nested_pattern = "(?:^|[?&=])\\Q" ~ name ~ "\\E=([^&#]*)" -%}
    coalesce(
        nullif(try(url_decode(regexp_extract({{ column }}, '{{ plain_pattern }}', 1))), ''),
        nullif(regexp_extract(try(url_decode({{ column }})), '{{ nested_pattern }}', 1), '')
    )
{%- endmacro %}

{% macro spark__query_param(column, name) -%}
    {%- set plain_pattern = "(?:^|[?&])\\Q" ~ name ~ "\\E=([^&#]*)" -%}
    {%- set nested_pattern = "(?:^|[?&=])\\Q" ~ name ~ "\\E=([^&#]*)" -%}
    coalesce(
        nullif(try_url_decode({{ siyu.regexp_group(column, plain_pattern) }}), ''),
        nullif({{ siyu.regexp_group('try_url_decode(' ~ column ~ ')', nested_pattern) }}, '')
    )
{%- endmacro %}
