# Presence only: puppetlabs-app_modeling has lib/puppet/parser/functions/create_node_order.rb (orch implements it natively).
