<!DOCTYPE html>
<html>
<head><title>${title}</title></head>
<body>
<nav>${site}</nav>
<h1 title="${name}">Hello, ${name}!</h1>
<ul>
% for item in items:
<li>${item}</li>
% endfor
</ul>
<p class="shout">${name | shout}</p>
<p class="raw">${trusted | n}</p>
</body>
</html>
