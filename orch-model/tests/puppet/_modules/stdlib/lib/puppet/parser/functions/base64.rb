# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/base64.rb (orch implements some natively).
