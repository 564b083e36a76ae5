# Presence only: puppetlabs-app_modeling has lib/puppet/parser/functions/collect_component_titles.rb (orch implements it natively).
