{#-
    Returns the Java (Spark) date-time pattern of a strptime layout as siyu writes them in var
    siyu_local_datetime_layouts: %Y yyyy, %m M, %d d, %H H, %M m, %S s, %f SSSSSS (1 to 6
    digits), %z XXX (+08:00 or Z), other characters as quoted literals. A field written right
    after another (%Y%m%d) keeps its fixed width (MM, dd, ...); after a separator it takes 1 or 2
    digits, as DuckDB's strptime does.
-#}
{% macro java_datetime_pattern(layout) -%}
    {%- set fixed = {'Y': 'yyyy', 'm': 'MM', 'd': 'dd', 'H': 'HH', 'M': 'mm', 'S': 'ss', 'f': 'SSSSSS', 'z': 'XXX'} -%}
    {%- set flexible = {'Y': 'yyyy', 'm': 'M', 'd': 'd', 'H': 'H', 'M': 'm', 'S': 's', 'f': 'SSSSSS', 'z': 'XXX'} -%}
    {%- set parts = modules.re.findall('%.|[^%]+', layout) -%}
    {%- set pattern = [] -%}
    {%- for part in parts -%}
        {%- if part.startswith('%') -%}
            {%- set neighbours_are_fields = (not loop.first and parts[loop.index0 - 1].startswith('%'))
                or (not loop.last and parts[loop.index0 + 1].startswith('%')) -%}
            {%- if part[1] not in fixed -%}
                {%- do exceptions.raise_compiler_error('java_datetime_pattern: no Java pattern for ' ~ part ~ ' in ' ~ layout) -%}
            {%- endif -%}
            {%- do pattern.append((fixed if neighbours_are_fields else flexible)[part[1]]) -%}
        {%- else -%}
            {%- do pattern.append("'" ~ part ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(pattern | join('')) }}
{%- endmacro %}
