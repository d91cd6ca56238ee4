-- Neovim's built-in LSP client set up for .vmstate files, as docs/editors.md tells users, driven
-- by test/nvim.test.ts: it opens a schema, waits for a diagnostic, jumps to a definition and
-- formats the buffer, then writes what it saw to $VMSTATE_RESULT as JSON. Neovim 0.7 and later
-- (vim.lsp.start_client; 0.8 has vim.lsp.start, which does the same).

local result = {}
local function finish()
  vim.fn.writefile({ vim.fn.json_encode(result) }, os.getenv("VMSTATE_RESULT"))
  vim.cmd("qa!")
end

vim.cmd("autocmd BufRead,BufNewFile *.vmstate setfiletype vmstate")
vim.cmd("edit " .. os.getenv("VMSTATE_SCHEMA"))

local client = vim.lsp.start_client({
  name = "vmstate",
  cmd = { os.getenv("VMSTATE_NODE"), os.getenv("VMSTATE_CLI"), "lsp" },
  root_dir = vim.fn.fnamemodify(os.getenv("VMSTATE_SCHEMA"), ":h"),
})
vim.lsp.buf_attach_client(0, client)

-- A diagnostic shows up.
vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local d = vim.diagnostic.get(0)[1]
if d then
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  result.diagnostic = { code = code, line = d.lnum, col = d.col, message = d.message }
end

-- Go to definition jumps: from the use of ETH_ALEN to its declaration.
local use = vim.fn.search("bytes\\[ETH_ALEN", "w")
vim.api.nvim_win_set_cursor(0, { use, vim.fn.col(".") + 6 })
vim.lsp.buf.definition()
vim.wait(30000, function() return vim.api.nvim_win_get_cursor(0)[1] ~= use end, 50)
result.definition = vim.api.nvim_win_get_cursor(0)

-- Formatting applies.
local len = vim.fn.search("len: u16;", "w")
vim.api.nvim_buf_set_lines(0, len - 1, len, false, { "     len :u16 ;" })
if vim.lsp.buf.format then
  vim.lsp.buf.format({ timeout_ms = 30000 })
else
  vim.lsp.buf.formatting_sync(nil, 30000)
end
result.formatted = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")

vim.lsp.stop_client(client)
finish()
