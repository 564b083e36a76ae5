# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/functions/is_numeric.rb (orch implements some natively).
