{#-
    Returns a trimmed identifier, or null when the platform sent a placeholder for "missing"
    ('', 'null', 'NULL', 'undefined', ... - see var siyu_junk_identifier_values). Use on ids that
    identity stitching joins on (unionid, openid, member_id, ...), so junk never links two people.
-#}
{% macro nullif_junk(column) -%}
    {%- set junk_values = var('siyu_junk_identifier_values') -%}
    case
        when lower({{ siyu.trim_text(column) }}) in (
            {%- for value in junk_values %}'{{ value | lower }}'{{ ', ' if not loop.last }}{% endfor -%}
        ) then null
        else {{ siyu.trim_text(column) }}
    end
{%- endmacro %}
