<%inherit file="base.mako"/>
<p>${name}</p>
