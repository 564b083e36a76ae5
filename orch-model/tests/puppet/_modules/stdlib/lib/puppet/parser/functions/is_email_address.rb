# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/is_email_address.rb (orch implements some natively).
