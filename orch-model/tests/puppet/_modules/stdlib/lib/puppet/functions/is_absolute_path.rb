# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/functions/is_absolute_path.rb (orch implements some natively).
