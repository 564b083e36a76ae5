# Presence only: puppetlabs-app_modeling has lib/puppet/parser/functions/create_component_app.rb (orch implements it natively).
