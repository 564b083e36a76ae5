# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/join_keys_to_values.rb (orch implements some natively).
