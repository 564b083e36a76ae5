# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/try_get_value.rb (orch implements some natively).
