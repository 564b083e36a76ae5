# Rewritten to the shape of app_modeling's type: a capability with these parameters.
Puppet::Type.newtype(:database, :is_capability => true) do
  newparam(:name, :namevar => true)
  newparam(:database)
  newparam(:host)
  newparam(:port)
  newparam(:timeout)
  newparam(:ping_interval)
  newparam(:user)
  newparam(:password)
  newparam(:instance)
end
