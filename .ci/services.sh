# Services that tests find through environment variables. Sourced by .ci/run.
start_services() { :; }
stop_services() { :; }
