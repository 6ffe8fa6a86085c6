// recipe[motd::banner]: recipes may be plain JavaScript too.
export default (r) => {
  r.template_file("/etc/issue.net", {
    content: `${r.attributes.motd?.banner ?? "Authorized use only."}\n`,
    mode: "0644",
  });
};
