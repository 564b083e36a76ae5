# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/functions/validate_ip_address.rb (orch implements some natively).
