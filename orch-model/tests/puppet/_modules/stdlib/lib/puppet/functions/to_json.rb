# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/functions/to_json.rb (orch implements some natively).
