# Shared by scripts/test and scripts/demo: install the project from its own files.
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export PIP_DISABLE_PIP_VERSION_CHECK=1

step() {
  local name="$1"; shift
  echo "==> $name"
  "$@"
}

install_all() {
  step "npm ci" npm ci --loglevel=error
  if [ ! -x .venv/bin/python ]; then
    step "python venv" python3 -m venv .venv
  fi
  local extras=(-e ".[dev]")
  [ -f codegen/pyproject.toml ] && extras+=(-e ./codegen)
  step "pip install" .venv/bin/python -m pip install -q "${extras[@]}"
}
