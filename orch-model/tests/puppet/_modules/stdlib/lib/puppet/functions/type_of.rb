# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/functions/type_of.rb (orch implements some natively).
