# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/functions/to_yaml.rb (orch implements some natively).
