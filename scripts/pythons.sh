# Sourced by the scripts: with pyenv, expose every installed Python 3.11-3.13 at once,
# so `python3.11`, `python3.12` and `python3.13` all resolve.
if command -v pyenv >/dev/null 2>&1 && [ -z "${PYENV_VERSION:-}" ]; then
    versions=$(pyenv versions --bare | grep -E '^3\.1[123]\.[0-9]+$' | sort -V | tr '\n' ':')
    if [ -n "$versions" ]; then
        export PYENV_VERSION="${versions%:}"
    fi
fi
