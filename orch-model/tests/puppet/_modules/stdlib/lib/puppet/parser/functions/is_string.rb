# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/is_string.rb (orch implements some natively).
