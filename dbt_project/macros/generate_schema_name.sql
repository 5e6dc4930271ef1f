{#- Layers land in schemas named for the layer (staging, intermediate, marts, reference), not in
    <target schema>_<layer>: the bulletin and the figures API read marts.* on every target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
