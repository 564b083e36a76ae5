# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/validate_augeas.rb (orch implements some natively).
