# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/functions/deprecation.rb (orch implements some natively).
