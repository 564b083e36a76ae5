# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/defined_with_params.rb (orch implements some natively).
