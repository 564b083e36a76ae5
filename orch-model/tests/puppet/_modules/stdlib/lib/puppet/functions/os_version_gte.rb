# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/functions/os_version_gte.rb (orch implements some natively).
