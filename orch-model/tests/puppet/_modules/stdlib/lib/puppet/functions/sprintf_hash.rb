# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/functions/sprintf_hash.rb (orch implements some natively).
