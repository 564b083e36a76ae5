# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/pw_hash.rb (orch implements some natively).
