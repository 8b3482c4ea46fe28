{#- Returns a select-list `*` that leaves out the given columns. -#}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except', 'siyu')(columns)) }}
{%- endmacro %}

{% macro default__star_except(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns) -%}
    * except ({{ columns | join(', ') }})
{%- endmacro %}
