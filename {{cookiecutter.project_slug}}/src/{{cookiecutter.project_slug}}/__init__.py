{# The description, trimmed as ruff format would trim it and wrapped to the line length. #}
{% set description = cookiecutter.description | trim | replace("\\", "\\\\") | replace('"', '\\"') %}
"""{{ description | wordwrap(94, break_long_words=false, break_on_hyphens=false) }}"""

{# ruff format's quotes: double, unless the name holds more of them than apostrophes. #}
{% set name = cookiecutter.project_name | replace("\\", "\\\\") %}
{% if name.count('"') > name.count("'") %}
TITLE = '{{ name | replace("'", "\\'") }}'
{% else %}
TITLE = "{{ name | replace('"', '\\"') }}"
{% endif %}
"""The service's name: the title of its docs pages and OpenAPI document."""
